"""Optional online geocoding of street addresses through geopy, for sites that enable it.

Off by default: sending what someone typed to a third-party service tells that service who is
looking for help where. Only used for text that has a house number and no usable ZIP code.
"""

OFFLINE = {None, "", "offline"}
USER_AGENT = "harm-reduction-directory"
TIMEOUT_SECONDS = 5


def geocode_online(text: str, geocoder: str) -> tuple[float, float] | None:
    """Coordinates for text from the named geopy geocoder, or None if it finds nothing or fails.

    An unknown geocoder name is a configuration mistake and raises ValueError.
    """
    # Imported here so that the offline default never loads geopy.
    from geopy.exc import GeocoderNotFound, GeopyError
    from geopy.geocoders import get_geocoder_for_service

    try:
        service = get_geocoder_for_service(geocoder)
    except GeocoderNotFound as error:
        raise ValueError(f"Unknown geocoder {geocoder!r}: use 'offline' or a geopy name") from error
    try:
        location = service(user_agent=USER_AGENT).geocode(text, timeout=TIMEOUT_SECONDS)
    except GeopyError:
        # A network or quota failure must not break the search: the offline lookup still runs.
        return None
    if location is None:
        return None
    return float(location.latitude), float(location.longitude)
