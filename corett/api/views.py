from drf_spectacular.views import SpectacularSwaggerSplitView


class ApiDocsView(SpectacularSwaggerSplitView):
    """Swagger UI under our Content-Security-Policy: the page has no inline script or style.

    The split view serves the initialisation script as a separate response (``?script``)
    instead of inlining it; our template drops the stock page's inline ``<style>``.
    """

    template_name = "api/swagger_ui.html"
