"""GraphiQL served from govkit's own files: the API explorer works on a closed network.

strawberry's page loads React and GraphiQL from a CDN (a blank page without internet access) and
starts them with an inline script. This page loads the same builds, committed under
``govkit/web/static/graphiql/`` (versions and update steps in its README.md), from the
application itself, checked by their hashes, and starts them with a script file of govkit's:
it runs under a Content-Security-Policy allowing nothing but the application's own origin.
"""

from __future__ import annotations

from html import escape

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

#: Where the application serves the assets (the /ui/static mount of govkit.web.routes).
ASSETS = "/ui/static/graphiql"
#: The vendored builds and their Subresource Integrity hashes (the ones strawberry pins on the CDN).
STYLESHEETS = {
    "graphiql.min.css": "sha384-Mq3vbRBY71jfjQAt/DcjxUIYY33ksal4cgdRt9U/hNPvHBCaT2JfJ/PTRiPKf0aM",
}
SCRIPTS = {
    "react.production.min.js": "sha384-tMH8h3BGESGckSAVGZ82T9n90ztNXxvdwvdM6UoR56cYcf+0iGXBliJ29D+wZ/x8",
    "react-dom.production.min.js": "sha384-bm7MnzvK++ykSwVJ2tynSE5TRdN+xL418osEVF2DE/L/gfWHj91J2Sphe582B1Bh",
    "graphiql.min.js": "sha384-HbRVEFG0JGJZeAHCJ9Xm2+tpknBQ7QZmNlO/DgZtkZ0aJSypT96YYGRNod99l9Ie",
    "govkit-graphiql.js": None,  # govkit's start-up script
}
#: Only the application's origin: scripts, styles, the queries; GraphiQL's fonts are data: URLs.
IDE_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)


def graphiql_html(root_path: str = "") -> str:
    """The GraphiQL page, every asset under ``root_path`` + ``ASSETS``."""
    base = escape(f"{root_path.rstrip('/')}{ASSETS}")

    def integrity(digest: str | None) -> str:
        return f' integrity="{digest}"' if digest else ""

    links = "".join(
        f'\n    <link rel="stylesheet" href="{base}/{name}"{integrity(digest)}>' for name, digest in STYLESHEETS.items()
    )
    scripts = "".join(
        f'\n    <script src="{base}/{name}"{integrity(digest)}></script>' for name, digest in SCRIPTS.items()
    )
    return f"""<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>govkit — GraphiQL</title>{links}
    <link rel="stylesheet" href="{base}/govkit-graphiql.css">
  </head>
  <body>
    <div id="graphiql" class="graphiql-container">Loading…</div>{scripts}
  </body>
</html>
"""


class LocalGraphiQL:
    """Mixed into strawberry's ASGI view: its GraphiQL page, from the application's own files."""

    async def render_graphql_ide(self, request: Request) -> Response:
        return HTMLResponse(
            graphiql_html(request.scope.get("root_path", "")),
            headers={"Content-Security-Policy": IDE_CSP, "Cache-Control": "no-store"},
        )
