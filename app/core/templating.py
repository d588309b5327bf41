"""Template globals: navigation per role, pagination, the language switcher."""

from flask import Flask, request, url_for


def url_with(**changes) -> str:
    """The current URL with some query arguments changed (pagination, filters, sorting)."""
    args = request.args.to_dict(flat=False)
    for key, value in changes.items():
        if value is None:
            args.pop(key, None)
        else:
            args[key] = [value]
    return url_for(request.endpoint, **(request.view_args or {}), **args)


def init_templating(app: Flask) -> None:
    from app.core.frame import frame_header
    from app.core.lifecycle import step_label
    from app.core.navigation import init_navigation

    init_navigation(app)
    app.jinja_env.globals["frame_header"] = frame_header
    app.jinja_env.globals["url_with"] = url_with
    app.jinja_env.filters["step_label"] = step_label
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
