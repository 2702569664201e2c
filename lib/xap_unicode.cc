// attache: Xapian's Unicode character classes behind a C interface (see
// xap_unicode.h). Every body catches everything: no exception leaves it.
#include <xapian.h>

#include "xap_unicode.h"

extern "C" bool att_uni_is_wordchar(unsigned cp)
{
    try {
        return cp <= 0x10FFFF && Xapian::Unicode::is_wordchar(cp);
    } catch (...) {
        return false;
    }
}

extern "C" bool att_uni_is_digit(unsigned cp)
{
    try {
        return cp <= 0x10FFFF &&
               Xapian::Unicode::get_category(cp) == Xapian::Unicode::DECIMAL_DIGIT_NUMBER;
    } catch (...) {
        return false;
    }
}

extern "C" int att_uni_case(unsigned cp)
{
    try {
        if (cp > 0x10FFFF)
            return 0;
        switch (Xapian::Unicode::get_category(cp)) {
        case Xapian::Unicode::UPPERCASE_LETTER:
        case Xapian::Unicode::TITLECASE_LETTER:
            return 1;
        case Xapian::Unicode::LOWERCASE_LETTER:
            return -1;
        default:
            return 0;
        }
    } catch (...) {
        return 0;
    }
}
