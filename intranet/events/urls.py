from django.urls import path

from intranet.events import views

app_name = "events"
urlpatterns = [
    path("events/", views.calendar_page, name="calendar"),
    path("events/feeds/", views.feeds, name="feeds"),
    path("events/feed/<int:agent_id>/<str:token>.ics", views.feed_agent, name="feed-agent"),
    path(
        "events/feed/<int:agent_id>/<str:token>/<slug:slug>.ics",
        views.feed_group,
        name="feed-group",
    ),
    path("groups/<slug:slug>/events/", views.group_events, name="group-events"),
    path("groups/<slug:slug>/events/<int:event_id>/", views.event_detail, name="event-detail"),
    path(
        "groups/<slug:slug>/events/<int:event_id>/register/",
        views.event_register,
        name="event-register",
    ),
    path(
        "groups/<slug:slug>/events/<int:event_id>/cancel/", views.event_cancel, name="event-cancel"
    ),
    path(
        "groups/<slug:slug>/events/<int:event_id>/attendance/",
        views.event_attendance,
        name="event-attendance",
    ),
    path(
        "groups/<slug:slug>/events/<int:event_id>/attendees.csv",
        views.event_attendees_csv,
        name="event-attendees-csv",
    ),
    path("groups/<slug:slug>/events/<int:event_id>/event.ics", views.event_ics, name="event-ics"),
    path(
        "groups/<slug:slug>/events/<int:event_id>/survey/",
        views.survey_answer,
        name="survey-answer",
    ),
    path(
        "groups/<slug:slug>/events/<int:event_id>/survey/results/",
        views.survey_results,
        name="survey-results",
    ),
    path(
        "groups/<slug:slug>/events/<int:event_id>/survey/results.csv",
        views.survey_results_csv,
        name="survey-results-csv",
    ),
    path("groups/<slug:slug>/events/surveys/", views.programme_results, name="survey-programme"),
    path(
        "groups/<slug:slug>/events/surveys.csv",
        views.programme_results_csv,
        name="survey-programme-csv",
    ),
]
