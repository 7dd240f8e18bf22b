from rest_framework.routers import DefaultRouter

app_name = "api"

router = DefaultRouter()
# Each app registers its endpoints here.
urlpatterns = router.urls
