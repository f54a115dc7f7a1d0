"""Share: the link to this setup, a Copy link button and a QR code big enough for a projector."""
from __future__ import annotations

import streamlit as st

from ui import nav, session
from ui.session import SHARE_PAGE_LINK, SHARE_QR_DOWNLOAD, SHARE_TARGET
from ui.share import QR_PX, link_note, link_params, qr_png, render_copy_link, share_url
from ui.text import literal

QR_SHOWN_PX = 300


def main() -> None:
    st.title("Share this setup")
    s = session.session()
    # The QR code first, beside the choices and the link: on a projector (1280x720 at 150%) it is on the first
    # screen; 300 px on the page (full screen for the back of the room).
    qr, words = st.columns([1, 1], gap="medium")
    target = words.selectbox("The link opens", [page.url_path for page in nav.SHARE_TARGETS],
                             format_func=lambda path: nav.by_path(path).title, key=SHARE_TARGET)
    link = share_url(nav.page_url(nav.by_path(target)), link_params(s))
    png = qr_png(link)
    qr.image(png, caption="Scan to open the link", width=QR_SHOWN_PX, alt=f"QR code of the link {link}")
    with words:
        st.caption("Whoever opens the link gets the same network, hyperparameters and data choice (in a fresh "
                   "session of their own: nothing you trained is shared).")
        render_copy_link(link, key=SHARE_PAGE_LINK)
        for note in link_note(link, dataset_name=s.dataset.name, dataset_in_link=s.link_data is not None,
                              default_dataset="the default data (the course's cats, or the synthetic ones)"):
            st.warning(literal(note, limit=1000), icon=":material/link_off:")
        st.download_button("Download the QR code (PNG)", data=png, file_name="dnn-explorer-link.png",
                           mime="image/png", key=SHARE_QR_DOWNLOAD)
        st.caption(f"The code is about {QR_PX} pixels wide: on a projector, show it full-screen (point at the "
                   "code and press the “Fullscreen” button at its top right) so it can be scanned from the "
                   "back of the room.")


main()
