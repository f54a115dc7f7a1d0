"""Lesson: predict, run, explain (the lessons in lessons/*.toml; the full page lands next)."""
import streamlit as st

from ui import lessons
from ui.text import literal

st.title("Lessons")
found, problems = lessons.load_all()
for problem in problems:
    st.warning(literal(problem), icon=":material/warning:")
for lesson in found:
    st.markdown(f"**{literal(lesson.title)}** — {literal(lesson.goal)}")
