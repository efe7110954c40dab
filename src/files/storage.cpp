#include "files/storage.hpp"

#include <atomic>
#include <fcntl.h>
#include <unistd.h>

#include <openssl/evp.h>

namespace hearth::files {

namespace fs = std::filesystem;

std::string sha256Hex(std::string_view bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(bytes.data(), bytes.size(), digest, &length, EVP_sha256(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(length * 2);
  for (unsigned int i = 0; i < length; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 15];
  }
  return out;
}

bool isContentHash(std::string_view hash) noexcept {
  return hash.size() == 64 && hash.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

FolderStorage::FolderStorage(fs::path root) : root_(std::move(root)) {}

fs::path FolderStorage::pathOf(std::string_view hash) const {
  return root_ / std::string(hash.substr(0, 2)) / std::string(hash.substr(2, 2)) / std::string(hash);
}

core::Result<std::string> FolderStorage::put(std::string_view bytes) {
  std::string hash = sha256Hex(bytes);
  const fs::path path = pathOf(hash);
  std::error_code error;
  if (fs::file_size(path, error) == bytes.size() && !error) return hash; // already stored
  fs::create_directories(path.parent_path(), error);
  if (error) return core::fail(core::ErrorCode::kGeneral, "Could not store the file");
  // A name of its own per writer (process and call), so nodes sharing the folder never write
  // the same temporary file; the rename is atomic within the folder.
  static std::atomic<std::uint64_t> counter{0};
  const fs::path temporary =
      path.string() + "." + std::to_string(::getpid()) + "." + std::to_string(counter.fetch_add(1)) + ".tmp";
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return core::fail(core::ErrorCode::kGeneral, "Could not store the file");
  std::size_t written = 0;
  bool ok = true;
  while (written < bytes.size()) {
    const auto n = ::write(fd, bytes.data() + written, bytes.size() - written);
    if (n <= 0) {
      ok = false;
      break;
    }
    written += static_cast<std::size_t>(n);
  }
  ok = ok && ::fdatasync(fd) == 0;
  ok = ::close(fd) == 0 && ok;
  if (ok) {
    fs::rename(temporary, path, error);
    ok = !error;
  }
  if (!ok) {
    fs::remove(temporary, error);
    return core::fail(core::ErrorCode::kGeneral, "Could not store the file");
  }
  return hash;
}

std::optional<std::uint64_t> FolderStorage::size(std::string_view hash) const {
  if (!isContentHash(hash)) return std::nullopt;
  std::error_code error;
  const auto bytes = fs::file_size(pathOf(hash), error);
  if (error) return std::nullopt;
  return bytes;
}

core::Result<std::string> FolderStorage::read(std::string_view hash, std::uint64_t offset, std::uint64_t length) const {
  if (!isContentHash(hash)) return core::fail(core::ErrorCode::kNotFound, "No such file");
  const int fd = ::open(pathOf(hash).c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return core::fail(core::ErrorCode::kNotFound, "No such file");
  std::string out;
  out.resize(length);
  std::size_t got = 0;
  while (got < length) {
    const auto n = ::pread(fd, out.data() + got, length - got, static_cast<off_t>(offset + got));
    if (n <= 0) break;
    got += static_cast<std::size_t>(n);
  }
  ::close(fd);
  out.resize(got);
  return out;
}

std::optional<fs::path> FolderStorage::localPath(std::string_view hash) const {
  if (!isContentHash(hash)) return std::nullopt;
  return pathOf(hash);
}

bool FolderStorage::remove(std::string_view hash) {
  if (!isContentHash(hash)) return false;
  std::error_code error;
  return fs::remove(pathOf(hash), error);
}

} // namespace hearth::files
