"""Lesson: a placeholder until the lessons land (views/lesson.py belongs to the lessons work)."""
import streamlit as st

st.title("Lesson")
