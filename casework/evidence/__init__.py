"""Screening, virus scanning and text extraction for uploaded evidence.

A library with no models: the Document model and upload views call it. Nothing here trusts the
uploader's file name or declared content type; decisions are made on the bytes.
"""
