"""Run localstripe (GPL, used only as a separate process) on 127.0.0.1:<port> with its own state file.

Its stock command binds every interface and shares one state file in /tmp between all runs;
this wrapper gives each test session a private loopback server. Usage: localstripe_peer.py PORT STATE
"""

import pickle
import sys

from aiohttp import web
from localstripe import resources, server


def main() -> None:
    port, state_file = int(sys.argv[1]), sys.argv[2]

    def dump_to_disk(store) -> None:
        with open(state_file, "wb") as handle:
            pickle.dump(dict(store), handle, protocol=pickle.HIGHEST_PROTOCOL)

    resources.Store.dump_to_disk = dump_to_disk
    web.run_app(server.app, host="127.0.0.1", port=port, print=lambda text: print(text, flush=True))


if __name__ == "__main__":
    main()
