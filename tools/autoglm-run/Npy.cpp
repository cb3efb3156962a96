//===- Npy.cpp - read and write NumPy .npy files --------------------------===//

#include "tools/autoglm-run/Npy.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <new>

namespace autoglm::npy {

namespace {

const char kMagic[] = "\x93NUMPY";
constexpr size_t kMagicSize = 6;

struct DescrEntry {
  const char *kind; // without byte order
  uint32_t dtype;
  unsigned size;
};
const DescrEntry kDescrs[] = {
    {"f2", AGM_F16, 2}, {"f4", AGM_F32, 4}, {"f8", AGM_F64, 8},
    {"i1", AGM_I8, 1},  {"i2", AGM_I16, 2}, {"i4", AGM_I32, 4},
    {"i8", AGM_I64, 8}, {"u1", AGM_U8, 1},  {"u2", AGM_U16, 2},
    {"u4", AGM_U32, 4}, {"u8", AGM_U64, 8}, {"b1", AGM_BOOL, 1},
    {"?", AGM_BOOL, 1},
};

/// `text` with bytes outside printable ASCII escaped, for messages.
std::string printable(const std::string &text) {
  std::string out;
  for (unsigned char c : text) {
    if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
    } else {
      char escaped[8];
      std::snprintf(escaped, sizeof(escaped), "\\x%02x", c);
      out += escaped;
    }
  }
  return out;
}

/// A recursive-descent reader of the header's Python dict literal.
class HeaderParser {
public:
  explicit HeaderParser(const std::string &text) : text_(text) {}

  bool parse(Array &out, std::string &error) {
    bool sawDescr = false, sawOrder = false, sawShape = false;
    skipSpace();
    if (!consume('{'))
      return fail("expected '{'", error);
    for (;;) {
      skipSpace();
      if (consume('}'))
        break;
      std::string key;
      if (!parseString(key))
        return fail("expected a quoted key", error);
      skipSpace();
      if (!consume(':'))
        return fail("expected ':' after '" + printable(key) + "'", error);
      skipSpace();
      if (key == "descr") {
        if (peek() == '[')
          return fail("structured dtypes are not supported", error);
        if (!parseString(out.descr))
          return fail("'descr' is not a string", error);
        sawDescr = true;
      } else if (key == "fortran_order") {
        if (text_.compare(pos_, 4, "True") == 0) {
          out.fortranOrder = true;
          pos_ += 4;
        } else if (text_.compare(pos_, 5, "False") == 0) {
          out.fortranOrder = false;
          pos_ += 5;
        } else {
          return fail("'fortran_order' is not True or False", error);
        }
        sawOrder = true;
      } else if (key == "shape") {
        if (!parseShape(out.shape))
          return fail("'shape' is not a tuple of non-negative integers",
                      error);
        sawShape = true;
      } else {
        return fail("unexpected key '" + printable(key) + "'", error);
      }
      skipSpace();
      if (consume(','))
        continue;
      skipSpace();
      if (consume('}'))
        break;
      return fail("expected ',' or '}'", error);
    }
    if (!sawDescr || !sawOrder || !sawShape)
      return fail("missing 'descr', 'fortran_order' or 'shape'", error);
    return true;
  }

private:
  char peek() const { return pos_ < text_.size() ? text_[pos_] : '\0'; }
  bool consume(char c) {
    if (peek() != c)
      return false;
    ++pos_;
    return true;
  }
  void skipSpace() {
    while (pos_ < text_.size() &&
           (text_[pos_] == ' ' || text_[pos_] == '\t' || text_[pos_] == '\n'))
      ++pos_;
  }
  bool parseString(std::string &out) {
    char quote = peek();
    if (quote != '\'' && quote != '"')
      return false;
    size_t end = text_.find(quote, pos_ + 1);
    if (end == std::string::npos)
      return false;
    out = text_.substr(pos_ + 1, end - pos_ - 1);
    pos_ = end + 1;
    return true;
  }
  bool parseShape(std::vector<int64_t> &shape) {
    if (!consume('('))
      return false;
    for (;;) {
      skipSpace();
      if (consume(')'))
        return true;
      if (peek() < '0' || peek() > '9')
        return false;
      int64_t value = 0;
      while (peek() >= '0' && peek() <= '9') {
        if (value > (INT64_MAX - 9) / 10)
          return false;
        value = value * 10 + (peek() - '0');
        ++pos_;
      }
      // Python 2 era files may write longs as "3L".
      consume('L');
      shape.push_back(value);
      skipSpace();
      if (consume(','))
        continue;
      skipSpace();
      if (consume(')'))
        return true;
      return false;
    }
  }
  bool fail(const std::string &message, std::string &error) {
    error = "bad header: " + message;
    return false;
  }

  const std::string &text_;
  size_t pos_ = 0;
};

struct FileCloser {
  void operator()(FILE *file) const {
    if (file)
      std::fclose(file);
  }
};

} // namespace

const char *descrOf(uint32_t dtype) {
  switch (dtype) {
  case AGM_F16: return "<f2";
  case AGM_F32: return "<f4";
  case AGM_F64: return "<f8";
  case AGM_I8: return "|i1";
  case AGM_I16: return "<i2";
  case AGM_I32: return "<i4";
  case AGM_I64: return "<i8";
  case AGM_U8: return "|u1";
  case AGM_U16: return "<u2";
  case AGM_U32: return "<u4";
  case AGM_U64: return "<u8";
  case AGM_BOOL: return "|b1";
  default: return nullptr;
  }
}

std::string formatShape(const std::vector<int64_t> &shape) {
  std::string out = "[";
  for (size_t i = 0; i < shape.size(); ++i)
    out += (i ? ", " : "") + std::to_string(shape[i]);
  return out + "]";
}

bool read(const std::string &path, Array &out, std::string &error) {
  out = Array();
  std::unique_ptr<FILE, FileCloser> file(std::fopen(path.c_str(), "rb"));
  if (!file) {
    error = path + ": cannot open: " + std::strerror(errno);
    return false;
  }
  auto fail = [&](const std::string &message) {
    error = path + ": " + message;
    return false;
  };
  unsigned char prefix[kMagicSize + 2];
  if (std::fread(prefix, 1, sizeof(prefix), file.get()) != sizeof(prefix) ||
      std::memcmp(prefix, kMagic, kMagicSize) != 0)
    return fail("not a .npy file (no \\x93NUMPY magic)");
  unsigned major = prefix[kMagicSize], minor = prefix[kMagicSize + 1];
  uint64_t headerSize = 0;
  if (major == 1) {
    unsigned char size[2];
    if (std::fread(size, 1, 2, file.get()) != 2)
      return fail("truncated header");
    headerSize = size[0] | (size[1] << 8);
  } else if (major == 2 || major == 3) {
    unsigned char size[4];
    if (std::fread(size, 1, 4, file.get()) != 4)
      return fail("truncated header");
    headerSize = size[0] | (size[1] << 8) | (size[2] << 16) |
                 (static_cast<uint64_t>(size[3]) << 24);
  } else {
    return fail("unsupported .npy format version " + std::to_string(major) +
                "." + std::to_string(minor) + " (1.0, 2.0 and 3.0 are read)");
  }
  if (headerSize > (1u << 24))
    return fail("header of " + std::to_string(headerSize) +
                " bytes is implausibly large");
  std::string header(headerSize, '\0');
  if (std::fread(&header[0], 1, headerSize, file.get()) != headerSize)
    return fail("truncated header");
  std::string parseError;
  if (!HeaderParser(header).parse(out, parseError))
    return fail(parseError);

  // dtype.
  std::string kind = out.descr;
  char order = '=';
  if (!kind.empty() && std::strchr("<>|=", kind[0])) {
    order = kind[0];
    kind = kind.substr(1);
  }
  const DescrEntry *entry = nullptr;
  for (const DescrEntry &candidate : kDescrs)
    if (kind == candidate.kind)
      entry = &candidate;
  if (!entry)
    return fail("unsupported dtype '" + printable(out.descr) +
                "' (supported: f2 f4 f8 i1 i2 i4 i8 u1 u2 u4 u8 b1)");
  if (order == '>' && entry->size > 1)
    return fail("big-endian data ('" + out.descr +
                "') is not supported; convert it with "
                "array.astype(array.dtype.newbyteorder('<'))");
  out.dtype = entry->dtype;

  // Data.
  uint64_t elements = 1;
  for (int64_t dim : out.shape) {
    if (dim != 0 && elements > (uint64_t(1) << 48) / static_cast<uint64_t>(dim))
      return fail("shape " + formatShape(out.shape) + " is too large");
    elements *= static_cast<uint64_t>(dim);
  }
  uint64_t bytes = elements * entry->size;
  try {
    out.data.resize(bytes);
  } catch (const std::bad_alloc &) {
    return fail("out of memory reading " + std::to_string(bytes) + " bytes");
  }
  size_t got = bytes ? std::fread(out.data.data(), 1, bytes, file.get()) : 0;
  if (got != bytes)
    return fail("truncated: shape " + formatShape(out.shape) + " of " +
                kind + " needs " + std::to_string(bytes) +
                " bytes of data, the file has " + std::to_string(got));
  if (std::fgetc(file.get()) != EOF)
    return fail("has more data than shape " + formatShape(out.shape) +
                " of " + kind + " needs (" + std::to_string(bytes) +
                " bytes)");
  return true;
}

bool write(const std::string &path, uint32_t dtype,
           const std::vector<int64_t> &shape, const void *bytes, size_t size,
           std::string &error) {
  const char *descr = descrOf(dtype);
  if (!descr) {
    error = path + ": dtype " + std::to_string(dtype) +
            " has no .npy equivalent";
    return false;
  }
  std::string dict = std::string("{'descr': '") + descr +
                     "', 'fortran_order': False, 'shape': (";
  for (size_t i = 0; i < shape.size(); ++i)
    dict += (i ? ", " : "") + std::to_string(shape[i]);
  if (shape.size() == 1)
    dict += ",";
  dict += "), }";
  // Pad with spaces and a final newline so the data starts 64-byte aligned.
  unsigned major = 1;
  size_t prefix = kMagicSize + 2 + 2;
  size_t total = (prefix + dict.size() + 1 + 63) / 64 * 64;
  if (total - prefix > 0xffff) {
    major = 2;
    prefix = kMagicSize + 2 + 4;
    total = (prefix + dict.size() + 1 + 63) / 64 * 64;
  }
  size_t headerSize = total - prefix;
  dict.append(headerSize - dict.size() - 1, ' ');
  dict += '\n';

  std::string out(kMagic, kMagicSize);
  out += static_cast<char>(major);
  out += '\0';
  for (unsigned i = 0; i < (major == 1 ? 2u : 4u); ++i)
    out += static_cast<char>((headerSize >> (8 * i)) & 0xff);
  out += dict;

  std::unique_ptr<FILE, FileCloser> file(std::fopen(path.c_str(), "wb"));
  if (!file) {
    error = path + ": cannot create: " + std::strerror(errno);
    return false;
  }
  bool ok = std::fwrite(out.data(), 1, out.size(), file.get()) == out.size() &&
            (size == 0 || std::fwrite(bytes, 1, size, file.get()) == size);
  int closeResult = std::fclose(file.release());
  if (!ok || closeResult != 0) {
    error = path + ": cannot write: " + std::strerror(errno);
    return false;
  }
  return true;
}

} // namespace autoglm::npy
