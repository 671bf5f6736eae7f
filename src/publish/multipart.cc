#include "publish/multipart.h"

#include <random>

namespace guardfeed {
namespace {

std::string RandomBoundary() {
  static constexpr char kHex[] = "0123456789abcdef";
  std::random_device device;
  std::uniform_int_distribution<int> digit(0, 15);
  std::string boundary = "guardfeed-";
  for (int i = 0; i < 32; ++i) boundary += kHex[digit(device)];
  return boundary;
}

}  // namespace

MultipartBody BuildMultipartFile(const MultipartFile& file) {
  std::string boundary = RandomBoundary();
  while (file.content.find(boundary) != std::string_view::npos) boundary = RandomBoundary();
  MultipartBody out;
  out.content_type = "multipart/form-data; boundary=" + boundary;
  out.body.reserve(file.content.size() + 256);
  out.body += "--" + boundary + "\r\n";
  out.body += "Content-Disposition: form-data; name=\"" + file.field + "\"; filename=\"" +
              file.filename + "\"\r\n";
  out.body += "Content-Type: " + file.content_type + "\r\n\r\n";
  out.body += file.content;
  out.body += "\r\n--" + boundary + "--\r\n";
  return out;
}

}  // namespace guardfeed
