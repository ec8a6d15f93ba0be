"""The HTML of a document (govkit.documents.renditions.html_fragment_of, from mammoth) made safe
to put in a page: only the elements and attributes a document's text needs are kept.

Why sanitise what mammoth wrote: mammoth escapes the text it copies from the .docx, so no text
becomes markup; but it copies a hyperlink's target as it is (a ``javascript:`` URL in a .docx
stays one, unless the converter filters it, as govkit.documents.html_rendition does), it keeps
bookmarks as ids, the .docx is rendered from templates uploaded by people and profiles edited by
schools, and the HTML is read back from a cache in the database. One more check where the page is
made costs little: the HTML is parsed (lxml) and rebuilt from an allow-list — headings,
paragraphs, lists, emphasis, tables, line breaks, links to http(s), mail, telephone or an anchor
of the same page, images embedded as data, ids of clause anchors. Everything else is unwrapped
(its text kept) or, for elements whose content is not text (script, style...), dropped. The
public pages add a Content-Security-Policy that allows no script at all.
"""

from __future__ import annotations

import re

from lxml import etree
from lxml import html as lxml_html
from markupsafe import Markup

KEPT = frozenset(
    (
        *("h1", "h2", "h3", "h4", "h5", "h6", "p", "ul", "ol", "li", "br", "hr", "blockquote", "span"),
        *("strong", "b", "em", "i", "u", "s", "sub", "sup", "a", "img"),
        *("table", "caption", "thead", "tbody", "tfoot", "tr", "th", "td"),
    )
)
#: Elements dropped with their content.
DROPPED = frozenset(
    (
        *("script", "style", "iframe", "object", "embed", "template", "noscript", "svg", "math"),
        *("head", "title", "meta", "link", "form"),
    )
)
_ANCHORED = frozenset({"id"})  # a clause's first paragraph: id="clause-vss.reporting"
ATTRIBUTES: dict[str, frozenset[str]] = {
    **dict.fromkeys(("h1", "h2", "h3", "h4", "h5", "h6", "p", "li"), _ANCHORED),
    "a": frozenset({"href", "id"}),
    "img": frozenset({"src", "alt"}),
    "td": frozenset({"colspan", "rowspan"}),
    "th": frozenset({"colspan", "rowspan", "scope"}),
    "ol": frozenset({"start"}),
}
_SAFE_HREF = re.compile(r"(?:https?://|mailto:|tel:|#)[^\s]*", re.IGNORECASE)
_SAFE_IMAGE = re.compile(r"data:image/(?:png|jpeg|gif|webp);base64,[A-Za-z0-9+/=\s]+")
_ID = re.compile(r"[A-Za-z_][\w.-]{0,80}")
_NUMBER = re.compile(r"[0-9]{1,3}")
_HEADING = re.compile(r"h([1-6])")


def _clean_attributes(element: etree._Element, tag: str) -> None:
    allowed = ATTRIBUTES.get(tag, frozenset())
    for name, value in list(element.attrib.items()):
        keep = name in allowed and (
            (name == "href" and _SAFE_HREF.fullmatch(value.strip()) is not None)
            or (name == "src" and _SAFE_IMAGE.fullmatch(value.strip()) is not None)
            or (name == "id" and _ID.fullmatch(value) is not None)
            or (name in ("colspan", "rowspan", "start") and _NUMBER.fullmatch(value) is not None)
            or (name == "scope" and value in ("row", "col"))
            or name == "alt"
        )
        if not keep:
            del element.attrib[name]
    if tag == "a" and "href" in element.attrib and not element.attrib["href"].startswith("#"):
        element.set("rel", "noopener noreferrer")


def sanitise(fragment: str, *, heading_shift: int = 0) -> Markup:
    """``fragment`` rebuilt from the allow-list, as markup for a template; headings moved
    ``heading_shift`` levels down (1: the document's h1 become h2, under the page's own h1)."""
    if not fragment.strip():
        return Markup("")
    root = lxml_html.fragment_fromstring(fragment, create_parent="div")
    for element in list(root.iterdescendants()):
        tag = element.tag.lower() if isinstance(element.tag, str) else None
        if tag is None or tag in DROPPED:  # a comment, a processing instruction, or no text
            element.drop_tree()
        elif tag not in KEPT:
            element.drop_tag()
        else:
            _clean_attributes(element, tag)
            heading = _HEADING.fullmatch(tag)
            if heading and heading_shift:
                element.tag = f"h{min(6, int(heading[1]) + heading_shift)}"
    markup = lxml_html.tostring(root, encoding="unicode", method="html")
    # markup rebuilt from the allow-list above: what is left is safe to insert as it is
    return Markup(markup.removeprefix("<div>").removesuffix("</div>"))  # noqa: S704
