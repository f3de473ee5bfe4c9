// CxxCompat has no API: it defines a libstdc++ function (CxxCompat.cpp).
