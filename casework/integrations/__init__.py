"""Clients for the external systems caseworkers use, each with a local fake for tests."""
