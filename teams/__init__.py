"""The Microsoft Teams side of the app. For now only its app package (``python -m teams.package``);
the adapter on Microsoft's Teams SDK comes once the domain in flows/ speaks no platform."""
