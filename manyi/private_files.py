"""Files that no web server serves (ticket attachments, improvement evidence) leave only here.

Each download view first checks that the user may see the ticket or improvement, then hands
the stored file to :func:`serve_private_file`, so that every way out sends the same headers.
"""

from django.http import FileResponse, Http404

# The files come from customers: a browser must never run them as a page of this site, nor
# guess a type other than the one found when they were checked, nor keep a copy on disk.
DOWNLOAD_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; sandbox",
    "Cache-Control": "private, no-store",
}


def serve_private_file(stored_file, *, content_type, filename, as_attachment):
    """A streaming response for a checked file (a ``FieldFile``); ``Http404`` if it is gone.

    ``content_type`` is the type found by the checks, never what the upload claimed;
    ``filename`` is the customer's name for it, display text only.
    """
    try:
        handle = stored_file.open("rb")
    except FileNotFoundError as error:
        raise Http404 from error
    response = FileResponse(handle, content_type=content_type, as_attachment=as_attachment, filename=filename)
    for header, value in DOWNLOAD_HEADERS.items():
        response[header] = value
    return response
