// The print page's "Print" button; without JavaScript the browser's own print command works.
document.querySelectorAll(".js-print").forEach((button) => {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
});
