"""QR codes of our own links, as SVG (segno: pure Python, standard error correction)."""

import io

import segno


def qr_svg(url, *, scale=8):
    """The SVG of a QR code for `url` (error correction M: still read when a printed poster is
    creased or partly covered). The URL is encoded, never written into the SVG as text."""
    out = io.BytesIO()
    segno.make(url, error="m", micro=False).save(out, kind="svg", scale=scale, border=2, xmldecl=False)
    return out.getvalue()


def qr_png(url, *, scale=8):
    """The PNG of a QR code for `url`: an image staff can save and send (WeChat) or show."""
    out = io.BytesIO()
    segno.make(url, error="m", micro=False).save(out, kind="png", scale=scale, border=2)
    return out.getvalue()
