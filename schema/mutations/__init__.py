"""Mutations: each validates, checks permissions and writes in ONE transaction."""
