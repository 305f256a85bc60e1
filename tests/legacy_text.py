"""Writing Unicode text the way old office computers stored it: TCVN3 (ABC) and VNI-Windows.

The tables are transcribed here on their own (not taken from ``ytsupport.legacy``), so a wrong
entry in the package's tables makes the round trips fail:

* TCVN3 (ABC, TCVN 5712:1993 VN3): lower-case letters and the seven capitals it has, from the
  MIT-licensed ``vietnamese-conversion`` project (github.com/duydev/vietnamese-conversion,
  ``src/charsets.ts``), which agrees with the GNU C Library's ``TCVN5712-1`` charmap.
* VNI-Windows: the same project's table (its 1.x release; 2.0 maps "ỷ"/"ỹ" onto "ë"/"ì", which
  are "ặ"'s mark and "ì" itself) and xvnkb's ``vni.h`` (Dao Hai Lam, 2002): "ỷ" = "yû", "ỹ" = "yõ".
"""
from __future__ import annotations

import unicodedata

_TCVN3 = ("à=µ á=¸ â=© ã=· è=Ì é=Ð ê=ª ì=× í=Ý ò=ß ó=ã ô=« õ=â ù=ï ú=ó ý=ý ă=¨ đ=® ĩ=Ü ũ=ò ơ=¬ ư=\u00ad "
          "ạ=¹ ả=¶ ấ=Ê ầ=Ç ẩ=È ẫ=É ậ=Ë ắ=¾ ằ=» ẳ=¼ ẵ=½ ặ=Æ ẹ=Ñ ẻ=Î ẽ=Ï ế=Õ ề=Ò ể=Ó ễ=Ô ệ=Ö ỉ=Ø ị=Þ "
          "ọ=ä ỏ=á ố=è ồ=å ổ=æ ỗ=ç ộ=é ớ=í ờ=ê ở=ë ỡ=ì ợ=î ụ=ô ủ=ñ ứ=ø ừ=õ ử=ö ữ=÷ ự=ù ỳ=ú ỵ=þ ỷ=û ỹ=ü "
          "Ă=¡ Â=¢ Ê=£ Ô=¤ Ơ=¥ Ư=¦ Đ=§")
_VNI = ("À=AØ Á=AÙ Â=AÂ Ã=AÕ È=EØ É=EÙ Ê=EÂ Ò=OØ Ó=OÙ Ô=OÂ Õ=OÕ Ù=UØ Ú=UÙ Ý=YÙ à=aø á=aù â=aâ ã=aõ "
        "è=eø é=eù ê=eâ ò=oø ó=où ô=oâ õ=oõ ù=uø ú=uù ý=yù Ă=AÊ Đ=Ñ Ĩ=Ó Ũ=UÕ Ơ=Ô Ư=Ö ă=aê đ=ñ ĩ=ó "
        "ũ=uõ ơ=ô ư=ö Ạ=AÏ Ả=AÛ Ấ=AÁ Ầ=AÀ Ẩ=AÅ Ẫ=AÃ Ậ=AÄ Ắ=AÉ Ằ=AÈ Ẳ=AÚ Ẵ=AÜ Ặ=AË Ẹ=EÏ Ẻ=EÛ Ẽ=EÕ "
        "Ế=EÁ Ề=EÀ Ể=EÅ Ễ=EÃ Ệ=EÄ Ỉ=Æ Ị=Ò Ọ=OÏ Ỏ=OÛ Ố=OÁ Ồ=OÀ Ổ=OÅ Ỗ=OÃ Ộ=OÄ Ớ=ÔÙ Ờ=ÔØ Ở=ÔÛ Ỡ=ÔÕ "
        "Ợ=ÔÏ Ụ=UÏ Ủ=UÛ Ứ=ÖÙ Ừ=ÖØ Ử=ÖÛ Ữ=ÖÕ Ự=ÖÏ Ỳ=YØ Ỵ=Î Ỷ=YÛ Ỹ=YÕ ạ=aï ả=aû ấ=aá ầ=aà ẩ=aå ẫ=aã "
        "ậ=aä ắ=aé ằ=aè ẳ=aú ẵ=aü ặ=aë ẹ=eï ẻ=eû ẽ=eõ ế=eá ề=eà ể=eå ễ=eã ệ=eä ỉ=æ ị=ò ọ=oï ỏ=oû ố=oá "
        "ồ=oà ổ=oå ỗ=oã ộ=oä ớ=ôù ờ=ôø ở=ôû ỡ=ôõ ợ=ôï ụ=uï ủ=uû ứ=öù ừ=öø ử=öû ữ=öõ ự=öï ỳ=yø ỵ=î ỷ=yû ỹ=yõ")


def _pairs(table: str) -> dict[str, str]:
    return dict(pair.split("=", 1) for pair in table.split(" "))


TCVN3 = _pairs(_TCVN3)
VNI = _pairs(_VNI)


def to_tcvn3(text: str) -> str:
    """``text`` as a `.VnTime` user typed it: a capital toned letter is stored as its small one
    (`.VnTimeH` draws it as a capital)."""
    return "".join(TCVN3.get(c, TCVN3.get(c.lower(), c)) for c in unicodedata.normalize("NFC", text))


def to_vni(text: str) -> str:
    """``text`` as a `VNI-Times` user typed it."""
    return "".join(VNI.get(c, c) for c in unicodedata.normalize("NFC", text))


ENCODERS = {"tcvn3": to_tcvn3, "vni": to_vni}
