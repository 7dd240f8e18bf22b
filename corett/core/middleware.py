from corett.core.request_context import meta_from_request, reset_request_meta, set_request_meta


class RequestContextMiddleware:
    """Makes the caller's IP and user agent known to the audit trail for this request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = set_request_meta(meta_from_request(request))
        try:
            return self.get_response(request)
        finally:
            reset_request_meta(token)
