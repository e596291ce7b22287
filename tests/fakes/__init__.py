"""Local stand-ins for the external systems the service talks to, for tests and local runs."""
