app_name = "offers"
urlpatterns = []
