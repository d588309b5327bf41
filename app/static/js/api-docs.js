// Starts Swagger UI (served by the app itself) on the API documentation page.
document.addEventListener("DOMContentLoaded", () => {
  const element = document.getElementById("swagger-ui");
  if (element && window.SwaggerUIBundle) {
    window.SwaggerUIBundle({ url: element.dataset.specUrl, domNode: element, deepLinking: true });
  }
});
