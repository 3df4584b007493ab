#pragma once
// A PMIx client connection for this process (PMIx_Init ... PMIx_Finalize). Only
// cluster_context.cpp uses it; without PMIx at build time connect() throws.
#include <memory>
#include <string>

namespace softcot::cluster {

class PmixSession {
 public:
  // Throws an error naming PMIx and the status text (e.g. PMIX_ERR_UNREACH outside a step).
  static std::shared_ptr<PmixSession> connect();
  ~PmixSession();  // PMIx_Finalize
  PmixSession(const PmixSession&) = delete;
  PmixSession& operator=(const PmixSession&) = delete;

  int rank() const { return rank_; }
  int size() const { return size_; }

 private:
  PmixSession() = default;
  struct Name;
  std::unique_ptr<Name> name_;
  int rank_ = 0;
  int size_ = 1;
};

}  // namespace softcot::cluster
