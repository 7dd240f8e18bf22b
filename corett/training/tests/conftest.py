import pytest


@pytest.fixture
def client(client):
    """Anonymous visitors read English too, unless a test asks for Spanish (Accept-Language)."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client
