/* questions.js: a bidder answers the committee's clarification questions before their time limit. */
(function () {
  "use strict";
  document.querySelectorAll(".answer-form").forEach((form) => form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const box = form.querySelector("textarea");
    const response = await fetch(`/api/evaluation/questions/${form.dataset.question}/answer/`, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json",
                 "X-CSRFToken": form.querySelector("input[name=csrfmiddlewaretoken]").value },
      body: JSON.stringify({ answer: box.value }),
    });
    if (response.ok) { location.reload(); return; }
    const data = await response.json().catch(() => ({}));
    let note = form.querySelector(".msg-error");
    if (!note) { note = document.createElement("p"); note.className = "msg msg-error"; note.setAttribute("role", "alert"); form.append(note); }
    note.textContent = data.detail || response.statusText;
  }));
})();
