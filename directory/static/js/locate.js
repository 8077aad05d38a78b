/* "Use my location": progressive enhancement of the home page search form.
   The position is rounded to 2 decimals (about 1 km) before it leaves the page, sent once as
   lat/lng in the search URL, and never stored. Without JavaScript the button stays hidden. */
(function () {
  "use strict";
  var button = document.getElementById("use-location");
  if (!button || !("geolocation" in navigator)) {
    return;
  }
  var form = button.form;
  var status = document.getElementById("location-status");
  button.hidden = false;

  function setHidden(name, value) {
    var input = form.querySelector('input[type="hidden"][name="' + name + '"]');
    if (!input) {
      input = document.createElement("input");
      input.type = "hidden";
      input.name = name;
      form.appendChild(input);
    }
    input.value = value;
  }

  button.addEventListener("click", function () {
    status.textContent = button.getAttribute("data-busy");
    button.disabled = true;
    navigator.geolocation.getCurrentPosition(
      function (position) {
        var near = form.querySelector('[name="near"]');
        if (near) {
          near.value = "";
          near.disabled = true;
        }
        setHidden("lat", position.coords.latitude.toFixed(2));
        setHidden("lng", position.coords.longitude.toFixed(2));
        form.submit();
      },
      function () {
        status.textContent = button.getAttribute("data-failed");
        button.disabled = false;
      },
      { enableHighAccuracy: false, timeout: 15000, maximumAge: 600000 }
    );
  });
})();
