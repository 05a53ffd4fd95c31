"""Real files for the attachment tests: images written by Pillow, a PDF, and impostors."""

import io


def image_bytes(fmt="PNG", size=(40, 30), color=(200, 30, 30)):
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, fmt)
    return buffer.getvalue()


def pdf_bytes():
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (60, 80), (255, 255, 255)).save(buffer, "PDF")
    return buffer.getvalue()


# A Windows program starts with "MZ"; renamed to .jpg it must still be refused.
PROGRAM = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"


def forged_png():
    """The eight bytes of a PNG signature, then a web page: the header alone proves nothing."""
    return b"\x89PNG\r\n\x1a\n" + HTML


def use_attachment_root(settings, tmp_path):
    """Store the test's attachments in its own temporary folder."""
    root = tmp_path / "attachments"
    settings.TICKET_ATTACHMENT_ROOT = root
    return root


def stored_files(root):
    return sorted(path for path in root.rglob("*") if path.is_file()) if root.exists() else []
