#pragma once
// The reference's vote over the num_return_sequences answers of one sample: answers are
// counted in first-seen order (18 and 18.0 are one key, kept as first seen); None never
// accumulates, its count stays 1; the first answer to reach a strictly larger count wins, so
// ties go to the earliest. No answers at all -> None.
#include <vector>

#include "softcot/answer.h"

namespace softcot {

Answer vote(const std::vector<Answer>& answers);

}  // namespace softcot
