/* placeholder: being written */
typedef int visa_placeholder_fast;
