/* The results on a map, when a tile source is configured. The list above is complete without
   it: the map only reads the cards' data-lat/data-lng/data-name/data-url attributes. */
(function () {
  "use strict";
  var element = document.getElementById("map");
  if (!element || typeof L === "undefined") {
    return;
  }
  var cards = document.querySelectorAll(".card[data-lat]");
  if (!cards.length) {
    return;
  }
  element.hidden = false;
  var map = L.map(element, { scrollWheelZoom: false });
  L.tileLayer(element.getAttribute("data-tiles"), {
    attribution: element.getAttribute("data-attribution") || "",
    maxZoom: 18
  }).addTo(map);
  var bounds = [];
  Array.prototype.forEach.call(cards, function (card) {
    var point = [parseFloat(card.getAttribute("data-lat")), parseFloat(card.getAttribute("data-lng"))];
    var link = document.createElement("a");
    link.href = card.getAttribute("data-url");
    link.textContent = card.getAttribute("data-name");
    L.marker(point, { title: card.getAttribute("data-name"), keyboard: false })
      .bindPopup(link)
      .addTo(map);
    bounds.push(point);
  });
  map.fitBounds(bounds, { padding: [24, 24], maxZoom: 15 });
})();
