from django.urls import path

from indices.publish.apis import WeightListApi

urlpatterns = [path("weights/", WeightListApi.as_view(), name="weight-list")]
