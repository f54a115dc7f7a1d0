"""Share: the link to this setup, a Copy link button and a QR code big enough for a projector."""
from __future__ import annotations

import streamlit as st

from ui import session
from ui.share import QR_PX, fallback_page_url, link_note, link_params, qr_png, render_copy_link, share_url, sibling_url
from ui.text import literal

URL_PATH = "share"  # this page's url_path in app.py
TARGETS = {"train": "Train", "model": "Model", "data": "Data", "": "Home", "inspect": "Inspect",
           "results": "Results", "photo": "Your photo"}
from ui.session import SHARE_QR_DOWNLOAD as QR_DOWNLOAD, SHARE_TARGET as TARGET_KEY


def page_url(target: str) -> str:
    """The absolute URL of page ``target`` as the browser reaches this server."""
    here = st.context.url
    if here:
        return sibling_url(here, URL_PATH, target)
    return fallback_page_url(st.get_option("server.address"), st.get_option("server.port"), target,
                             st.get_option("server.baseUrlPath"))


def main() -> None:
    st.title("Share this setup")
    s = session.session()
    target = st.selectbox("The link opens", list(TARGETS), format_func=TARGETS.get, key=TARGET_KEY)
    link = share_url(page_url(target), link_params(s))
    st.caption("Whoever opens the link gets the same network, hyperparameters and data choice (in a fresh session "
               "of their own: nothing you trained is shared).")
    render_copy_link(link, key=session.SHARE_PAGE_LINK)
    for note in link_note(link, dataset_name=s.dataset.name, dataset_in_link=s.link_data is not None,
                          default_dataset="the default data (the course's cats, or the synthetic ones)"):
        st.warning(literal(note, limit=1000), icon=":material/link_off:")
    png = qr_png(link)
    st.image(png, caption="Scan to open the link", width="content")
    st.download_button("Download the QR code (PNG)", data=png, file_name="dnn-explorer-link.png", mime="image/png",
                       key=QR_DOWNLOAD)
    st.caption(f"The code is about {QR_PX} pixels wide: on a projector, show it full-screen (the image's ⛶ "
               "button) so it can be scanned from the back of the room.")


main()
