"""Removing what a photo says about the person who took it, without touching the picture.

Phones write Exif (GPS position, date, device make, model and serial number), XMP and
comments into every photo; a customer who sends a picture of a broken parcel does not mean
to send where they live. ``strip_metadata`` takes those parts out of an accepted file at the
byte level: the compressed image data is copied unchanged (never decoded and re-encoded), so
the picture loses nothing.

- JPEG: the segments APP1 (Exif, XMP), APP13 (Photoshop/IPTC) and COM (comments) are dropped,
  and so is anything after the end of the picture (phones append extra images and vendor
  trailers there, which carry their own Exif). The Exif orientation is the one tag kept: a
  portrait photo from a phone is stored sideways and only that tag turns it upright, so it is
  written back alone in a minimal Exif segment. APP0 (JFIF) and APP2 (ICC colour profile)
  stay; an APP2 multi-picture index (MPF) goes with the appended images it points at.
- PNG: the chunks eXIf, tEXt, zTXt, iTXt and tIME are dropped (other chunks, with their
  CRCs, are copied as they are), and so is anything after IEND.
- WebP: the EXIF and XMP chunks of an extended (VP8X) file are dropped, their flags cleared in
  the VP8X header and the RIFF size set to what is left.
- PDF: left as it is. Its document information (author, producing program) is not a position
  or a device serial, and rewriting a PDF safely needs a full PDF library; the file is only
  ever offered as a download.

The function is pure (bytes in, bytes out) and is called by ``attachments.check_file`` after
the file has passed the checks, so it only ever sees well-formed files; if the structure still
surprises it, the rest of the file is copied rather than guessed at.
"""

import struct

ORIENTATION = 0x0112

# JPEG markers
_SOI, _EOI, _SOS = 0xD8, 0xD9, 0xDA
_APP1, _APP2, _APP13, _COM = 0xE1, 0xE2, 0xED, 0xFE
# Markers without a length field: TEM, RST0–RST7, SOI
_STANDALONE = {0x01, *range(0xD0, 0xD8), _SOI}

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_PNG_DROPPED = {b"eXIf", b"tEXt", b"zTXt", b"iTXt", b"tIME"}

_WEBP_DROPPED = {b"EXIF", b"XMP "}
_VP8X_EXIF_FLAG, _VP8X_XMP_FLAG = 0x08, 0x04


def strip_metadata(data, content_type):
    """``data`` without its Exif, XMP, comments and text chunks; the picture's bytes unchanged."""
    if content_type == "image/jpeg":
        return _strip_jpeg(data)
    if content_type == "image/png":
        return _strip_png(data)
    if content_type == "image/webp":
        return _strip_webp(data)
    return data  # PDF: see the module's docstring


# --------------------------------------------------------------------------- JPEG


def _orientation(exif_payload):
    """The Orientation tag of an APP1 Exif payload (``Exif\\0\\0`` + TIFF), or None."""
    from PIL import Image

    exif = Image.Exif()
    try:
        exif.load(exif_payload)
        value = exif.get(ORIENTATION)
    except Exception:  # a damaged Exif block: there is no orientation to keep
        return None
    return value if isinstance(value, int) and 1 <= value <= 8 else None


def _orientation_segment(value):
    from PIL import Image

    exif = Image.Exif()
    exif[ORIENTATION] = value
    payload = exif.tobytes()
    return b"\xff\xe1" + struct.pack(">H", len(payload) + 2) + payload


def _entropy_end(data, pos):
    """Where the entropy-coded data starting at ``pos`` ends: at the next marker (an FF that is
    neither byte stuffing, FF 00, nor a restart marker, FF D0–D7)."""
    while True:
        pos = data.find(b"\xff", pos)
        if pos == -1 or pos + 1 >= len(data):
            return len(data)
        following = data[pos + 1]
        if following == 0 or 0xD0 <= following <= 0xD7 or following == 0xFF:
            pos += 1
            continue
        return pos


def _strip_jpeg(data):
    out = [data[:2]]  # SOI
    pos, orientation, exif_at = 2, None, None
    while pos is not None and pos < len(data):
        kept, pos, exif = _jpeg_step(data, pos)
        if exif is not None and orientation is None:
            orientation = _orientation(exif)
            exif_at = len(out)
        if kept:
            out.append(kept)
    if orientation not in (None, 1):
        out.insert(exif_at, _orientation_segment(orientation))
    return b"".join(out)


def _jpeg_step(data, pos):
    """One step through a JPEG from ``pos``: (the bytes kept, where the next step starts or
    None when nothing more is read, the payload of an Exif APP1 segment or None)."""
    length = len(data)
    if data[pos] != 0xFF:
        # Stray bytes between segments (decoders skip them); nothing to strip here.
        end = data.find(b"\xff", pos)
        end = length if end == -1 else end
        return data[pos:end], end, None
    if pos + 1 >= length:
        return data[pos:], None, None
    marker = data[pos + 1]
    if marker == 0xFF:  # fill byte before a marker
        return b"\xff", pos + 1, None
    if marker == _EOI:
        return data[pos : pos + 2], None, None  # what follows the picture is not part of it
    if marker in _STANDALONE or marker == 0x00:
        return data[pos : pos + 2], pos + 2, None
    if pos + 4 > length:
        return data[pos:], None, None
    end = pos + 2 + struct.unpack(">H", data[pos + 2 : pos + 4])[0]
    if end > length:
        return data[pos:], None, None
    return _jpeg_segment(data, pos, marker, end)


def _jpeg_segment(data, pos, marker, end):
    """A whole segment with a length (``pos`` to ``end``): dropped when it carries metadata
    (APP1 Exif/XMP, APP13, COM, an APP2 MPF index of appended images), else kept; a scan (SOS)
    is kept with its entropy-coded data."""
    payload = data[pos + 4 : end]
    if marker == _APP1:
        return b"", end, payload if payload.startswith(b"Exif\x00\x00") else None
    if marker in (_APP13, _COM) or (marker == _APP2 and payload.startswith(b"MPF\x00")):
        return b"", end, None
    if marker == _SOS:
        scan_end = _entropy_end(data, end)
        return data[pos:scan_end], scan_end, None
    return data[pos:end], end, None


# --------------------------------------------------------------------------- PNG


def _strip_png(data):
    out = [data[:8]]
    pos, length = 8, len(data)
    while pos + 8 <= length:
        size = struct.unpack(">I", data[pos : pos + 4])[0]
        kind = data[pos + 4 : pos + 8]
        end = pos + 12 + size  # length, type, data, CRC
        if end > length:
            out.append(data[pos:])
            break
        if kind not in _PNG_DROPPED:
            out.append(data[pos:end])
        pos = end
        if kind == b"IEND":
            break
    else:
        out.append(data[pos:])
    return b"".join(out)


# --------------------------------------------------------------------------- WebP


def _strip_webp(data):
    riff_end = min(len(data), 8 + struct.unpack("<I", data[4:8])[0])
    chunks, pos = [], 12
    while pos + 8 <= riff_end:
        kind = data[pos : pos + 4]
        size = struct.unpack("<I", data[pos + 4 : pos + 8])[0]
        end = min(riff_end, pos + 8 + size + (size & 1))  # chunks are padded to an even size
        if kind not in _WEBP_DROPPED:
            chunk = data[pos:end]
            if kind == b"VP8X" and size >= 1:
                flags = chunk[8] & ~(_VP8X_EXIF_FLAG | _VP8X_XMP_FLAG)
                chunk = chunk[:8] + bytes([flags]) + chunk[9:]
            chunks.append(chunk)
        pos = end
    if pos < riff_end:
        chunks.append(data[pos:riff_end])
    body = b"WEBP" + b"".join(chunks)
    return b"RIFF" + struct.pack("<I", len(body)) + body
