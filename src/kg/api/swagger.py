"""``/docs``: Swagger UI from the swagger-ui-py package's own files (no network), set up to pass WCAG 2.1 AA:
the page's language, no deep links nested in the operations' buttons, darker colours (static/swagger.css) and
names for its unnamed fields (static/swagger.js)."""

from __future__ import annotations

from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse

STATIC = "/static/swagger-ui"
THEME = '<link rel="stylesheet" href="/static/kg/swagger.css">'
REPAIR = '<script src="/static/kg/swagger.js"></script>'


def page(openapi_url: str) -> HTMLResponse:
    """The Swagger UI page for the OpenAPI document at ``openapi_url``."""
    body = get_swagger_ui_html(
        openapi_url=openapi_url,
        title="mea-kg API",
        swagger_js_url=f"{STATIC}/swagger-ui-bundle.js",
        swagger_css_url=f"{STATIC}/swagger-ui.css",
        swagger_favicon_url=f"{STATIC}/favicon-32x32.png",
        # a deep link is an <a> inside each operation's <button>: interactive content nested in a control
        swagger_ui_parameters={"deepLinking": False},
    ).body
    html = bytes(body).decode()
    html = html.replace("<html>", '<html lang="en">', 1).replace("</head>", THEME + "</head>", 1)
    html = html.replace("</body>", REPAIR + "</body>", 1)
    return HTMLResponse(html)
