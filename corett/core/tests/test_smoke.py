import pytest
from django.urls import reverse


@pytest.mark.django_db
def test_home_page_greets_a_logged_in_focal_point(client_as, focal_gt):
    response = client_as(focal_gt).get(reverse("core:home"))
    assert response.status_code == 200
    assert "Comisión nacional GT" in response.content.decode()
