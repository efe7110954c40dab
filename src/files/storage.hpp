#pragma once
// Blob storage behind one interface. The one implementation is a content-addressed folder
// (`<root>/ab/cd/<sha256 hex>`): the same bytes are stored once, writes are atomic (a temporary
// file renamed into place), and several hearthd on one machine may share the folder.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.hpp"

namespace hearth::files {

//! The SHA-256 of `bytes` as 64 lowercase hex digits.
std::string sha256Hex(std::string_view bytes);
//! Whether `hash` has sha256Hex's shape (safe to use in a path).
bool isContentHash(std::string_view hash) noexcept;

class Storage {
public:
  virtual ~Storage() = default;
  //! Stores `bytes` (durably: flushed to disk) and returns their content hash. Storing bytes
  //! already there writes nothing.
  virtual core::Result<std::string> put(std::string_view bytes) = 0;
  //! The stored size, or nullopt when absent.
  virtual std::optional<std::uint64_t> size(std::string_view hash) const = 0;
  //! Up to `length` bytes from `offset`; kNotFound when absent.
  virtual core::Result<std::string> read(std::string_view hash, std::uint64_t offset, std::uint64_t length) const = 0;
  //! A path the server may stream the blob from without reading it whole; nullopt when the
  //! storage has no local file for it.
  virtual std::optional<std::filesystem::path> localPath(std::string_view hash) const = 0;
  //! Deletes the blob; false when it was absent. Callers ensure nothing refers to it any more.
  virtual bool remove(std::string_view hash) = 0;
};

class FolderStorage final : public Storage {
public:
  explicit FolderStorage(std::filesystem::path root);
  core::Result<std::string> put(std::string_view bytes) override;
  std::optional<std::uint64_t> size(std::string_view hash) const override;
  core::Result<std::string> read(std::string_view hash, std::uint64_t offset, std::uint64_t length) const override;
  std::optional<std::filesystem::path> localPath(std::string_view hash) const override;
  bool remove(std::string_view hash) override;

  //! `<root>/ab/cd/<hash>`.
  std::filesystem::path pathOf(std::string_view hash) const;

private:
  std::filesystem::path root_;
};

} // namespace hearth::files
