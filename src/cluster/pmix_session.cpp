#include "cluster/pmix_session.h"

#include "core/error.h"

#if SOFTCOT_HAVE_PMIX
#include <pmix.h>
#endif

namespace softcot::cluster {

#if SOFTCOT_HAVE_PMIX

struct PmixSession::Name {
  pmix_proc_t proc;
};

namespace {
Error pmix_error(const char* call, pmix_status_t status) {
  return failure("PMIx", std::string(call) + " failed: " + PMIx_Error_string(status));
}

pmix_proc_t wildcard_of(const pmix_proc_t& proc) {
  pmix_proc_t all;
  PMIX_PROC_CONSTRUCT(&all);
  PMIX_LOAD_PROCID(&all, proc.nspace, PMIX_RANK_WILDCARD);
  return all;
}
}  // namespace

std::shared_ptr<PmixSession> PmixSession::connect() {
  auto session = std::shared_ptr<PmixSession>(new PmixSession());
  session->name_ = std::make_unique<Name>();
  pmix_proc_t& me = session->name_->proc;
  PMIX_PROC_CONSTRUCT(&me);
  if (pmix_status_t status = PMIx_Init(&me, nullptr, 0); status != PMIX_SUCCESS) {
    session->name_.reset();  // nothing to finalize
    throw pmix_error("PMIx_Init", status);
  }
  session->rank_ = static_cast<int>(me.rank);

  pmix_proc_t all = wildcard_of(me);
  pmix_value_t* value = nullptr;
  if (pmix_status_t status = PMIx_Get(&all, PMIX_JOB_SIZE, nullptr, 0, &value);
      status != PMIX_SUCCESS) {
    throw pmix_error("PMIx_Get(PMIX_JOB_SIZE)", status);
  }
  int64_t size = -1;
  if (value->type == PMIX_UINT32) size = value->data.uint32;
  else if (value->type == PMIX_INT) size = value->data.integer;
  else if (value->type == PMIX_UINT64) size = static_cast<int64_t>(value->data.uint64);
  PMIX_VALUE_RELEASE(value);
  if (size < 1 || session->rank_ < 0 || session->rank_ >= size) {
    throw failure("PMIx", "rank " + std::to_string(session->rank_) + " of job size " +
                              std::to_string(size) + " makes no sense");
  }
  session->size_ = static_cast<int>(size);
  return session;
}

PmixSession::~PmixSession() {
  if (name_) PMIx_Finalize(nullptr, 0);
}

#else  // built without PMIx

struct PmixSession::Name {};

std::shared_ptr<PmixSession> PmixSession::connect() {
  throw failure("PMIx", "this softcot was built without PMIx (libpmix-dev); run the step with "
                        "--mpi=none so ranks come from SLURM_PROCID/SLURM_NTASKS");
}
PmixSession::~PmixSession() = default;

#endif

}  // namespace softcot::cluster
