// Stripe.js card entry, only on pages that loaded it (a publishable key is configured).
// The card is confirmed by Stripe.js; the form then posts to our refresh action, where the server
// re-reads the PaymentIntent and records what Stripe says (never what the browser says).
(function () {
  "use strict";
  document.querySelectorAll("form.stripe-card-form").forEach(function (form) {
    if (typeof window.Stripe !== "function") { return; }
    var stripe = window.Stripe(form.dataset.stripeKey);
    var card = stripe.elements().create("card");
    var error = form.querySelector(".stripe-card-error");
    card.mount(form.querySelector(".stripe-card"));
    form.addEventListener("submit", function (event) {
      if (form.dataset.confirmed) { return; }
      event.preventDefault();
      stripe.confirmCardPayment(form.dataset.clientSecret, { payment_method: { card: card } })
        .then(function (result) {
          if (result.error) {
            error.textContent = result.error.message;
            error.hidden = false;
            return;
          }
          form.dataset.confirmed = "1";
          form.submit();
        });
    });
  });
})();
