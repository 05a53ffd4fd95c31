"""Photos lose their GPS position, device details, XMP and comments, and nothing of the picture."""

import io
import struct
import zlib

import numpy as np
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image, ImageCms
from PIL.PngImagePlugin import PngInfo
from PIL.TiffImagePlugin import IFDRational

from manyi.tickets.attachments import check_file
from manyi.tickets.models import Ticket
from manyi.tickets.photo_metadata import strip_metadata
from manyi.tickets.tests.sample_files import image_bytes, pdf_bytes, stored_files, use_attachment_root

from .test_attachments import feedback_data, make_ticket  # noqa: F401 (feedback_data is a fixture)

# Values that must not survive, each distinctive enough to search the bytes for.
LATITUDE_SECONDS = 271828  # / 10000
LONGITUDE_SECONDS = 314159  # / 10000
MAKE, MODEL, SERIAL = "ManyiPhone", "MP-15 Pro", "SN-8842-7731"
OWNER = "Zhang San"
XMP = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF><dc:creator>XmpSecretAuthor</dc:creator></rdf:RDF></x:xmpmeta>'
COMMENT = b"CommentSecret taken at home"
SECRETS = [
    MAKE.encode(),
    MODEL.encode(),
    SERIAL.encode(),
    OWNER.encode(),
    b"XmpSecretAuthor",
    b"CommentSecret",
]


def phone_exif(orientation=6):
    """Exif as a phone writes it: orientation, device, serial number and a GPS position."""
    exif = Image.Exif()
    exif[0x0112] = orientation
    exif[0x010F] = MAKE
    exif[0x0110] = MODEL
    exif[0x013B] = OWNER  # Artist
    exif.get_ifd(0x8769)[0xA431] = SERIAL  # BodySerialNumber
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = (IFDRational(39, 1), IFDRational(54, 1), IFDRational(LATITUDE_SECONDS, 10000))
    gps[3] = "E"
    gps[4] = (IFDRational(116, 1), IFDRational(23, 1), IFDRational(LONGITUDE_SECONDS, 10000))
    return exif.tobytes()


def gps_bytes():
    """The GPS seconds as they appear in an Exif block, in either byte order."""
    return [
        struct.pack(order + "I", value) for order in "<>" for value in (LATITUDE_SECONDS, LONGITUDE_SECONDS)
    ]


def assert_no_secrets(data):
    for secret in SECRETS + gps_bytes():
        assert secret not in data, secret


def photo_pixels(size=(64, 48)):
    # Noise rather than a flat colour, so that any change to the coded picture shows.
    return np.random.default_rng(11).integers(0, 256, (size[1], size[0], 3), dtype=np.uint8)


# Made once: a profile built by ImageCms carries the time it was made.
SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def jpeg_segment(marker, payload):
    return bytes([0xFF, marker]) + struct.pack(">H", len(payload) + 2) + payload


def phone_jpeg(orientation=6):
    buffer = io.BytesIO()
    Image.fromarray(photo_pixels()).save(
        buffer,
        "JPEG",
        quality=90,
        exif=phone_exif(orientation),
        xmp=XMP,
        comment=COMMENT,
        icc_profile=SRGB,
    )
    data = buffer.getvalue()
    # Photoshop's IPTC block (APP13), which Pillow does not write: put it before the first table.
    iptc = jpeg_segment(
        0xED, b"Photoshop 3.0\x008BIM\x04\x04\x00\x00\x00\x00\x00\x10\x1c\x02\x50" + OWNER.encode()
    )
    at = data.find(b"\xff\xdb")
    return data[:at] + iptc + data[at:]


def jpeg_markers(data):
    """The markers of the segments before the first scan, with their payloads."""
    pos, found = 2, []
    while True:
        marker = data[pos + 1]
        end = pos + 2 + struct.unpack(">H", data[pos + 2 : pos + 4])[0]
        found.append((marker, data[pos + 4 : end]))
        if marker == 0xDA:
            return found
        pos = end


def pixels(data):
    with Image.open(io.BytesIO(data)) as image:
        return np.asarray(image.convert("RGB"))


def decoded(data):
    with Image.open(io.BytesIO(data)) as image:
        image.load()
        return image.copy()


# --------------------------------------------------------------------------- JPEG


def test_the_original_photo_carries_what_must_go():
    # The fixture itself: if Pillow stopped writing these, the tests below would prove nothing.
    photo = phone_jpeg()
    for secret in SECRETS:
        assert secret in photo
    assert any(value in photo for value in gps_bytes())
    exif = decoded(photo).getexif()
    assert exif.get_ifd(0x8825)[1] == "N" and exif[0x0112] == 6


def test_a_jpeg_loses_gps_device_xmp_iptc_and_comment():
    photo = phone_jpeg()
    clean = strip_metadata(photo, "image/jpeg")
    assert_no_secrets(clean)
    assert b"http://ns.adobe.com/xap/1.0/" not in clean and b"Photoshop 3.0" not in clean
    markers = [marker for marker, _payload in jpeg_markers(clean)]
    assert 0xED not in markers and 0xFE not in markers
    exif = decoded(clean).getexif()
    assert exif.get_ifd(0x8825) == {} and exif.get_ifd(0x8769) == {}
    assert dict(exif) == {0x0112: 6}  # the orientation alone is kept


def test_a_jpeg_keeps_its_picture_byte_for_byte():
    photo = phone_jpeg()
    clean = strip_metadata(photo, "image/jpeg")
    # Not re-encoded: from the first quantisation table to the end the bytes are the same.
    assert clean[clean.find(b"\xff\xdb") :] == photo[photo.find(b"\xff\xdb") :]
    assert np.array_equal(pixels(clean), pixels(photo))
    assert len(clean) < len(photo)


def test_a_portrait_photo_still_stands_upright():
    from PIL import ImageOps

    photo, clean = phone_jpeg(orientation=6), strip_metadata(phone_jpeg(orientation=6), "image/jpeg")
    upright_before = np.asarray(ImageOps.exif_transpose(decoded(photo)))
    upright_after = np.asarray(ImageOps.exif_transpose(decoded(clean)))
    assert upright_after.shape == (64, 48, 3)  # the 64×48 picture turned a quarter
    assert np.array_equal(upright_after, upright_before)


def test_jfif_and_the_colour_profile_stay_first():
    clean = strip_metadata(phone_jpeg(), "image/jpeg")
    markers = jpeg_markers(clean)
    assert markers[0][0] == 0xE0 and markers[0][1].startswith(b"JFIF\x00")
    assert markers[1][0] == 0xE1 and markers[1][1].startswith(b"Exif\x00\x00")  # where the Exif was
    assert [m for m, p in markers if m == 0xE1] == [0xE1]
    assert decoded(clean).info["icc_profile"] == SRGB


def test_an_upright_photo_gets_no_exif_at_all():
    clean = strip_metadata(phone_jpeg(orientation=1), "image/jpeg")
    assert 0xE1 not in [marker for marker, _payload in jpeg_markers(clean)]
    assert_no_secrets(clean)
    assert np.array_equal(pixels(clean), pixels(phone_jpeg(orientation=1)))


def test_a_jpeg_without_metadata_is_unchanged():
    plain = image_bytes("JPEG")
    assert strip_metadata(plain, "image/jpeg") == plain


def test_what_a_phone_appends_after_the_picture_goes_too():
    # Phones put extra pictures (each with its own Exif) and vendor trailers after the end of
    # the main picture, indexed by an APP2 "MPF" segment; a viewer shows only the first.
    photo = phone_jpeg()
    at = photo.find(b"\xff\xdb")
    mpf = jpeg_segment(0xE2, b"MPF\x00MM\x00*\x00\x00\x00\x08")
    appended = image_bytes("JPEG")[:2] + jpeg_segment(0xE1, b"Exif\x00\x00" + SERIAL.encode()) + b"SEFT"
    clean = strip_metadata(photo[:at] + mpf + photo[at:] + appended, "image/jpeg")
    assert clean.endswith(b"\xff\xd9") and SERIAL.encode() not in clean and b"MPF\x00" not in clean
    assert np.array_equal(pixels(clean), pixels(photo))


def test_a_progressive_jpeg_with_a_comment_between_its_scans():
    buffer = io.BytesIO()
    Image.fromarray(photo_pixels()).save(buffer, "JPEG", progressive=True, exif=phone_exif())
    photo = buffer.getvalue()
    second_scan = photo.find(b"\xff\xda", photo.find(b"\xff\xda") + 2)
    photo = photo[:second_scan] + jpeg_segment(0xFE, COMMENT) + photo[second_scan:]
    clean = strip_metadata(photo, "image/jpeg")
    assert_no_secrets(clean)
    assert np.array_equal(pixels(clean), pixels(photo))
    assert decoded(clean).getexif()[0x0112] == 6


# --------------------------------------------------------------------------- PNG


def png_chunk(kind, payload):
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))


def png_chunks(data):
    pos, found = 8, []
    while pos < len(data):
        size = struct.unpack(">I", data[pos : pos + 4])[0]
        found.append((data[pos + 4 : pos + 8], data[pos : pos + 12 + size]))
        pos += 12 + size
    return found


def phone_png():
    info = PngInfo()
    info.add_text("Author", OWNER)
    info.add_text("Comment", COMMENT.decode(), zip=True)  # zTXt
    info.add_itxt("XML:com.adobe.xmp", XMP.decode())  # iTXt
    buffer = io.BytesIO()
    Image.fromarray(photo_pixels()).save(buffer, "PNG", pnginfo=info, exif=phone_exif(), icc_profile=SRGB)
    data = buffer.getvalue()
    # Pillow writes no tIME chunk; a camera app does. Put it after IHDR.
    at = 8 + 25
    return data[:at] + png_chunk(b"tIME", struct.pack(">HBBBBB", 2026, 11, 23, 8, 30, 0)) + data[at:]


def test_a_png_loses_its_text_exif_and_time_chunks():
    photo = phone_png()
    kinds_before = {kind for kind, _chunk in png_chunks(photo)}
    assert {b"tEXt", b"zTXt", b"iTXt", b"eXIf", b"tIME"} <= kinds_before
    clean = strip_metadata(photo, "image/png")
    assert_no_secrets(clean)
    kinds = [kind for kind, _chunk in png_chunks(clean)]
    assert not {b"tEXt", b"zTXt", b"iTXt", b"eXIf", b"tIME"} & set(kinds)
    assert kinds[0] == b"IHDR" and kinds[-1] == b"IEND" and b"iCCP" in kinds
    # The chunks kept are copied as they were, CRC included.
    kept = [chunk for kind, chunk in png_chunks(photo) if kind in set(kinds)]
    assert [chunk for _kind, chunk in png_chunks(clean)] == kept
    assert np.array_equal(pixels(clean), pixels(photo))
    assert decoded(clean).info.get("icc_profile") == SRGB


def test_a_png_without_metadata_is_unchanged():
    plain = image_bytes("PNG")
    assert strip_metadata(plain, "image/png") == plain


# --------------------------------------------------------------------------- WebP


def riff_chunks(data):
    pos, found = 12, []
    while pos < len(data):
        size = struct.unpack("<I", data[pos + 4 : pos + 8])[0]
        found.append((data[pos : pos + 4], data[pos + 8 : pos + 8 + size]))
        pos += 8 + size + (size & 1)
    return found


@pytest.mark.parametrize("lossless", [False, True])
def test_a_webp_loses_its_exif_and_xmp(lossless):
    buffer = io.BytesIO()
    Image.fromarray(photo_pixels()).save(
        buffer, "WEBP", lossless=lossless, exif=phone_exif(), xmp=XMP, icc_profile=SRGB
    )
    photo = buffer.getvalue()
    assert {b"EXIF", b"XMP "} <= {kind for kind, _payload in riff_chunks(photo)}
    clean = strip_metadata(photo, "image/webp")
    assert_no_secrets(clean)
    chunks = dict(riff_chunks(clean))
    assert b"EXIF" not in chunks and b"XMP " not in chunks
    assert chunks[b"VP8X"][0] & 0x0C == 0  # the EXIF and XMP flags cleared
    assert chunks[b"VP8X"][0] & 0x20  # the ICC flag kept
    assert struct.unpack("<I", clean[4:8])[0] == len(clean) - 8  # the RIFF size fits
    assert (
        chunks[b"VP8L" if lossless else b"VP8 "] == dict(riff_chunks(photo))[b"VP8L" if lossless else b"VP8 "]
    )
    assert np.array_equal(pixels(clean), pixels(photo))
    assert decoded(clean).info.get("icc_profile") == SRGB
    assert check_file("clean.webp", clean).data == clean  # a valid file, with nothing left to strip


def test_a_simple_webp_is_unchanged():
    plain = image_bytes("WEBP")
    assert strip_metadata(plain, "image/webp") == plain


# --------------------------------------------------------------------------- PDF and check_file


def test_a_pdf_is_left_as_it_is():
    pdf = pdf_bytes()
    assert strip_metadata(pdf, "application/pdf") == pdf
    assert check_file("a.pdf", pdf).data == pdf


def test_check_file_holds_the_clean_bytes_and_their_size():
    photo = phone_jpeg()
    checked = check_file("IMG_2041.JPG", photo)
    assert checked.data == strip_metadata(photo, "image/jpeg")
    assert checked.size == len(checked.data) < len(photo)
    assert_no_secrets(checked.data)


# --------------------------------------------------------------------------- end to end


@pytest.fixture
def attachment_root(settings, tmp_path):
    return use_attachment_root(settings, tmp_path)


@pytest.mark.django_db
def test_a_photo_from_the_feedback_page_is_stored_without_its_gps(client, feedback_data, attachment_root):  # noqa: F811
    import hashlib

    photo = phone_jpeg()
    response = client.post(
        "/feedback/", {**feedback_data, "attachments": [SimpleUploadedFile("IMG_2041.JPG", photo)]}
    )
    assert response.status_code == 302
    attachment = Ticket.objects.get().attachments.get()
    [path] = stored_files(attachment_root)
    stored = path.read_bytes()
    assert_no_secrets(stored)
    assert decoded(stored).getexif().get_ifd(0x8825) == {}
    assert np.array_equal(pixels(stored), pixels(photo))
    assert attachment.size == len(stored) and attachment.sha256 == hashlib.sha256(stored).hexdigest()


@pytest.mark.django_db
def test_a_photo_a_member_of_staff_uploads_is_stored_without_its_gps(people, client_as, attachment_root):
    ticket = make_ticket(people.quality)
    files = [SimpleUploadedFile("现场.jpg", phone_jpeg()), SimpleUploadedFile("现场.png", phone_png())]
    response = client_as(people.amy).post(
        reverse("tickets:attachment_upload", args=[ticket.pk]), {"files": files}
    )
    assert response.status_code == 302
    stored = [path.read_bytes() for path in stored_files(attachment_root)]
    assert len(stored) == 2
    for data in stored:
        assert_no_secrets(data)
    assert sorted(a.size for a in ticket.attachments.all()) == sorted(len(data) for data in stored)
    # The downloaded photo is the clean one, still upright.
    jpeg = ticket.attachments.get(content_type="image/jpeg")
    response = client_as(people.amy).get(reverse("tickets:attachment", args=[ticket.pk, jpeg.pk]))
    downloaded = b"".join(response.streaming_content)
    assert_no_secrets(downloaded)
    assert decoded(downloaded).getexif()[0x0112] == 6


def test_a_multi_picture_jpeg_from_a_phone_is_accepted_and_cleaned():
    import io

    from PIL import Image

    from manyi.tickets.attachments import check_file

    frames = [Image.new("RGB", (64, 48), colour) for colour in ("red", "blue")]
    buffer = io.BytesIO()
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    frames[0].save(buffer, "MPO", save_all=True, append_images=frames[1:], exif=exif.tobytes())
    data = buffer.getvalue()
    assert data.startswith(b"\xff\xd8") and b"PhoneMaker" in data
    checked = check_file("portrait.jpg", data)
    assert checked.content_type == "image/jpeg"
    assert b"PhoneMaker" not in checked.data
    with Image.open(io.BytesIO(checked.data)) as image:
        image.load()
        assert image.size == (64, 48)
