"""A tiny element builder over xml.etree for the HTML report: escaping is not optional.

The report holds user-controlled text (file names, operations, parameters, reasons, the log
origin). Building it as an element tree and letting the serializer write it means every text node
and attribute value is escaped by construction; no string of ours is ever pasted into markup. The
one raw text is the report's own constant stylesheet (the serializer writes <style> content
verbatim, which is why nothing else may go there).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping

def _append(parent: ET.Element, child: object) -> None:
    if child is None:
        return
    if isinstance(child, ET.Element):
        parent.append(child)
    elif isinstance(child, (str, int)):
        text = str(child)
        if len(parent):
            last = parent[-1]
            last.tail = (last.tail or "") + text
        else:
            parent.text = (parent.text or "") + text
    elif isinstance(child, Iterable):
        for c in child:
            _append(parent, c)
    else:
        raise TypeError(f"cannot place a {type(child).__name__} in the report")


def el(tag: str, attrs: Mapping[str, object] | None = None, *children: object) -> ET.Element:
    """<tag attrs>children</tag>; attribute values are str()-ed, None values dropped."""
    node = ET.Element(tag, {k: str(v) for k, v in (attrs or {}).items() if v is not None})
    for child in children:
        _append(node, child)
    return node


def render(root: ET.Element) -> str:
    """The document as HTML5 text (doctype first)."""
    return "<!DOCTYPE html>\n" + ET.tostring(root, encoding="unicode", method="html") + "\n"


__all__ = ["el", "render"]
