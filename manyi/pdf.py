"""HTML → PDF with WeasyPrint, fetching nothing from outside the document.

The fonts come from the system (fontconfig: Noto Sans CJK SC is installed) and WeasyPrint
embeds the subset it uses. The markup's own `data:` images are allowed, plus any images handed
over by name in `images`; every other address (http, file …) is refused, so a value typed by a
user can never make the server fetch something.
"""


def _fetcher_class():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class OwnImagesFetcher(URLFetcher):
        def __init__(self, images):
            super().__init__(allowed_protocols={"data"})
            self.images = images

        def fetch(self, url, headers=None):
            if url in self.images:
                return URLFetcherResponse(url, self.images[url], {"Content-Type": "image/png"})
            return super().fetch(url, headers)

    return OwnImagesFetcher


_fetcher = None


def html_to_pdf(html, images=None):
    """PDF bytes of an HTML string (its <style> gives the page size, margins, page numbers)."""
    global _fetcher
    from weasyprint import HTML  # imported on first use: WeasyPrint loads pango

    if _fetcher is None:
        _fetcher = _fetcher_class()
    return HTML(string=html, url_fetcher=_fetcher(images or {})).write_pdf()
