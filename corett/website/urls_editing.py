"""The editors' side of the website (/website/…, signed in)."""

from django.urls import path

from corett.website import editing

app_name = "website_edit"

urlpatterns = [
    path("", editing.dashboard, name="dashboard"),
    path("articles/new/", editing.article_create, name="article_create"),
    path("articles/preview/", editing.preview, name="preview"),
    path("articles/<int:pk>/", editing.article_detail, name="article"),
    path("articles/<int:pk>/edit/", editing.article_edit, name="article_edit"),
    path("articles/<int:pk>/submit/", editing.article_submit, name="article_submit"),
    path("articles/<int:pk>/publish/", editing.article_publish, name="article_publish"),
    path("articles/<int:pk>/return/", editing.article_return, name="article_return"),
    path("articles/<int:pk>/unpublish/", editing.article_unpublish, name="article_unpublish"),
    path("media/", editing.media, name="media"),
    path("publications/", editing.publication_list, name="publications"),
    path("publications/new/", editing.publication_create, name="publication_create"),
    path("publications/<int:pk>/edit/", editing.publication_edit, name="publication_edit"),
    path("help-lines/", editing.helpline_list, name="helplines"),
    path("help-lines/new/", editing.helpline_create, name="helpline_create"),
    path("help-lines/<int:pk>/edit/", editing.helpline_edit, name="helpline_edit"),
    path("help-lines/<int:pk>/delete/", editing.helpline_delete, name="helpline_delete"),
    path("messages/", editing.message_list, name="messages"),
    path("messages/<int:pk>/", editing.message_detail, name="message"),
]
