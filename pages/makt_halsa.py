"""Målområde 2: Makt och hälsa (Jobb Borås deltagare och avslut)."""

from pages._shared import render_malomrade

render_malomrade("makt-och-halsa")
