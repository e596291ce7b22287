from django.urls import path

from insight import views_search

app_name = "search"

urlpatterns = [
    path("search", views_search.search, name="search"),
    path("search/go/<int:search_id>/<int:document_id>", views_search.search_go, name="go"),
]
