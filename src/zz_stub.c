#include "bankfmt.h"
bool o2c_parse_camt053(const char *b, size_t l, bool s, O2cBankResult *r, O2cError *e){return o2c_fail(e, O2C_ERR_VALUE, "todo");}
bool o2c_parse_bai2(const char *b, size_t l, bool s, O2cBankResult *r, O2cError *e){return o2c_fail(e, O2C_ERR_VALUE, "todo");}
