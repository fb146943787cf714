from django.urls import path

from intranet.questions import views

app_name = "questions"
urlpatterns = [
    path("", views.question_list, name="question-list"),
    path("ask/", views.question_ask, name="question-ask"),
    path("<int:question_id>/", views.question_detail, name="question-detail"),
    path("<int:question_id>/edit/", views.question_edit, name="question-edit"),
    path("<int:question_id>/delete/", views.question_delete, name="question-delete"),
    path("<int:question_id>/answers/", views.answer_create, name="answer-create"),
    path("answers/<int:answer_id>/accept/", views.answer_accept, name="answer-accept"),
    path("answers/<int:answer_id>/edit/", views.answer_edit, name="answer-edit"),
    path("answers/<int:answer_id>/delete/", views.answer_delete, name="answer-delete"),
    path("themes/<slug:slug>/faq/", views.theme_faq, name="theme-faq"),
]
