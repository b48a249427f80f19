"""The API's rooms, one router each: ask and stream, search, principles and pages,
feedback, the OpenAI-compatible endpoint, admin, and the widget's files."""
