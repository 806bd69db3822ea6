// The greeting scripts every installation starts with. The admin can edit them (an edited copy is stored in the
// data folder and wins over the built-in text) and add their own; removing an edited one restores the text below.
export interface TemplateText {
  /** Also the default greeting name on the PBX: letters, digits, `-` and `_`. */
  name: string;
  title: string;
  text: string;
}

export const BUILTIN_TEMPLATES: readonly TemplateText[] = [
  {
    name: 'away',
    title: 'Away from the desk',
    text: 'Hello, you have reached {name} at extension {extension}. I am away from my desk right now. Please leave your name, your number and a short message after the tone, and I will call you back.',
  },
  {
    name: 'busy',
    title: 'Busy or unavailable',
    text: 'Hello, this is {name}. I am on another call or unavailable at the moment. Please leave a message after the tone and I will get back to you as soon as I can.',
  },
  {
    name: 'after-hours',
    title: 'After hours',
    text: 'Thank you for calling {company}. You have reached the voicemail of {name}, extension {extension}. Our office is closed now. Please leave a message after the tone and we will return your call on the next business day.',
  },
  {
    name: 'holiday',
    title: 'Holiday closure',
    text: 'Thank you for calling {company}. Our office is closed for the holiday. You have reached the voicemail of {name}. Please leave a message after the tone and we will call you back when we return.',
  },
  {
    name: 'vacation',
    title: 'On vacation, with a return date',
    text: 'Hello, you have reached {name}. I am on vacation and will be back on {back_date}. Please leave a message after the tone, and I will reply when I return.',
  },
  {
    name: 'department',
    title: 'Department or team',
    text: 'Thank you for calling the {name} at {company}. Everyone is helping other callers right now. Please leave your name, your number and a short message after the tone, and a member of the team will call you back.',
  },
];
