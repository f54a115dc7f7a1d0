"""Share a page in one click: its absolute link, a QR code of it and a "Copy link" button.

Everything here but ``render_copy_link`` is pure (no Streamlit calls), so it is tested directly:
``share_url`` builds the link from the page's URL and the query parameters the app keeps in the
address bar; ``qr_png`` draws it with segno; ``link_note`` says what the link cannot carry.
"""

from __future__ import annotations

import html
import io
import ipaddress
import math
import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING
from urllib.parse import quote, urlencode, urlsplit, urlunsplit

import segno
import streamlit as st

from ui import settings, toy_link

if TYPE_CHECKING:  # for annotations only
    from ui.session import Session

QR_ERROR = "m"  # 15% of the code may be unreadable: a washed-out projector, a head in the way
QR_BORDER = 4  # the quiet zone the QR standard asks for, in modules
QR_PX = 840  # about 40% of a 1080p projector's height: readable from ~10 m on a 2.5 m screen
_LOCAL_HOSTS = {"localhost", "localhost.localdomain", "ip6-localhost"}

QueryValue = str | int | float | Sequence[str]


def share_url(page_url: str, params: Mapping[str, QueryValue]) -> str:
    """The absolute link to ``page_url`` carrying ``params`` as its query string.

    ``page_url`` is the page's address in the user's browser (scheme, host, port, path; any query
    or fragment it has is replaced). Values are percent-encoded; commas stay readable
    (``hidden=20,7,5``); a sequence value repeats its key.
    """
    parts = urlsplit(str(page_url).strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"A shareable link needs an http(s) address with a host; got {page_url!r}.")
    pairs = [(str(k), v if isinstance(v, (list, tuple)) else str(v)) for k, v in params.items()]
    query = urlencode(pairs, doseq=True, safe=",", quote_via=quote)
    return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", query, ""))


def link_params(s: Session) -> dict[str, str]:
    """The query parameters of session ``s``'s setup: the settings table's link plus the toy set's options."""
    return {**settings.to_link(s.config, s.link_data), **toy_link.link_for(s)}


def sibling_url(current_url: str, current_path: str, target_path: str) -> str:
    """The URL of page ``target_path`` next to the page at ``current_url`` whose url_path is ``current_path``.

    Keeps any base path the server is mounted under (``/dnn/share`` -> ``/dnn/train``); drops the query.
    """
    parts = urlsplit(current_url)
    path = parts.path.rstrip("/")
    if current_path and path.endswith("/" + current_path.strip("/")):
        path = path[: -len(current_path.strip("/")) - 1]
    target = target_path.strip("/")
    return urlunsplit((parts.scheme, parts.netloc, f"{path}/{target}" if target else f"{path}/", "", ""))


def fallback_page_url(address: str | None, port: int, page_path: str = "", base_path: str = "") -> str:
    """The page's URL when the browser has not told the server (e.g. in tests): http://<address>:<port>/..."""
    host = address if address and address not in ("0.0.0.0", "::") else "localhost"
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"  # an IPv6 literal
    path = "/".join(p.strip("/") for p in (base_path, page_path) if p and p.strip("/"))
    return f"http://{host}:{int(port)}/{path}"


def is_local_url(url: str) -> bool:
    """True when the link's host is this computer only (localhost, 127.x, ::1), useless on a phone."""
    host = (urlsplit(url).hostname or "").lower()
    if host in _LOCAL_HOSTS or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback or ipaddress.ip_address(host).is_unspecified
    except ValueError:
        return False


def qr_png(url: str, *, px: int = QR_PX, error: str = QR_ERROR, border: int = QR_BORDER) -> bytes:
    """PNG bytes of a QR code of ``url``, about ``px`` pixels wide, black on white.

    Whole pixels per module (no blurry scaling), at least 4; ``error`` is the error-correction
    level ("l", "m", "q", "h"), raised by segno when that costs no extra size.
    """
    if not url:
        raise ValueError("There is no link to encode.")
    if error.lower() not in ("l", "m", "q", "h"):
        raise ValueError(f"The error correction level is one of l, m, q, h; got {error!r}.")
    if not 0 <= border <= 20 or not 64 <= px <= 4000:
        raise ValueError(f"border must be 0 to 20 modules and px 64 to 4000; got border={border}, px={px}.")
    qr = segno.make_qr(url, error=error, boost_error=True)
    width = qr.symbol_size(scale=1, border=border)[0]
    out = io.BytesIO()
    qr.save(out, kind="png", scale=max(4, math.floor(px / width)), border=border, dark="#000", light="#fff")
    return out.getvalue()


def link_note(url: str, *, dataset_name: str, dataset_in_link: bool,
              default_dataset: str = "the default data") -> tuple[str, ...]:
    """Plain-text notes on what the link will not do for whoever opens it (empty when it does it all).

    ``dataset_in_link`` is False for data that lives only in this browser tab (an uploaded or
    built set). Notes quote ``dataset_name`` as typed: show them literally, never as Markdown.
    """
    notes = []
    if not dataset_in_link:
        notes.append(
            f"This link carries the settings but not the data '{dataset_name}': it was uploaded or built in "
            f"this browser tab and never leaves it. Whoever opens the link gets {default_dataset} instead. "
            "To share the photos, download them as a zip on the Data page and send the file."
        )
    if is_local_url(url):
        host = urlsplit(url).hostname
        notes.append(
            f"This link points to {host}, which only this computer can open: a phone scanning the QR code "
            "cannot reach it. Open the app through this computer's network address (for example "
            "192.168.1.20:8501, with the server started with --server.address 0.0.0.0) and share from there."
        )
    return tuple(notes)


_BUTTON_STYLE = "font:inherit;padding:0.35rem 0.9rem;border-radius:0.5rem;border:1px solid #999;cursor:pointer"
_FIELD_STYLE = "font:inherit;flex:1;min-width:16rem;padding:0.3rem"
_BLOCKED = "The browser blocked copying: the link is selected, press Ctrl+C (Cmd+C on a Mac)."


def copy_link_html(url: str, key: str = "share") -> str:
    """HTML for a "Copy link" button beside a read-only field showing the link.

    The script copies with navigator.clipboard; where the browser refuses (a plain-http address
    other than localhost is not a secure context) it selects the field and tries the older copy
    command, then says to press Ctrl+C. The link is only ever an escaped attribute value, never
    part of the script.
    """
    element_id = "dnn-copy-" + (re.sub(r"[^a-z0-9-]+", "-", key.lower()).strip("-") or "share")
    value = html.escape(url, quote=True)
    return f"""<div id="{element_id}" style="display:flex;gap:0.5rem;align-items:center;flex-wrap:wrap">
<button type="button" style="{_BUTTON_STYLE}">Copy link</button>
<input type="text" readonly value="{value}" aria-label="Link to this page" style="{_FIELD_STYLE}">
<span role="status" aria-live="polite"></span>
</div>
<script>
(() => {{
  const root = document.getElementById("{element_id}");
  if (!root) return;
  const field = root.querySelector("input"), status = root.querySelector("[role=status]");
  root.querySelector("button").addEventListener("click", async () => {{
    try {{
      await navigator.clipboard.writeText(field.value);
      status.textContent = "Link copied.";
    }} catch (err) {{
      field.focus();
      field.select();
      let copied = false;
      try {{ copied = document.execCommand("copy"); }} catch (e) {{}}
      status.textContent = copied ? "Link copied." : "{_BLOCKED}";
    }}
  }});
}})();
</script>"""


def render_copy_link(url: str, key: str = "share") -> None:
    """Show the Copy link button (st.html with its small script) in the current container."""
    st.html(copy_link_html(url, key), unsafe_allow_javascript=True)
